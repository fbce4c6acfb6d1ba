import { SignInRequired } from '@platform/ui/status-pages';

export default function Unauthorized() {
  return <SignInRequired signInHref="/account/auth/login" />;
}
