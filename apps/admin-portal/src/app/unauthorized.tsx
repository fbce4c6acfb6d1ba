import { SignInRequired } from '@platform/ui/status-pages';

export default function Unauthorized() {
  return <SignInRequired signInHref="/admin/auth/login" />;
}
