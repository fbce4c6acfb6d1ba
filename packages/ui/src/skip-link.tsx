import classes from './skip-link.module.css';

/**
 * The first stop for keyboard users (WCAG 2.4.1 bypass blocks): hidden until it has focus, it moves focus
 * to the element with id `target` (give that element tabIndex={-1} so it can take focus).
 */
export function SkipLink(props: { target: string; label?: string }) {
  return (
    <a href={`#${props.target}`} className={classes.skipLink}>
      {props.label ?? 'Skip to content'}
    </a>
  );
}
