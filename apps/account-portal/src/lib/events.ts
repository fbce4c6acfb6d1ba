/** An audit action as a person reads it: `user.password_change` → "password change", `sign_in` → "sign in". */
export function actionLabel(action: string): string {
  const dot = action.indexOf('.');
  const rest = dot >= 0 ? action.slice(dot + 1) : action;
  return (rest || action).replaceAll(/[._]/g, ' ');
}
