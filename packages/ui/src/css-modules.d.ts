// CSS Modules as Next.js compiles them: a class name map.
declare module '*.module.css' {
  const classes: Readonly<Record<string, string>>;
  export default classes;
}
