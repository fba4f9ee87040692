import * as os from 'node:os';
import { projectGit } from '../workspace';

/**
 * Who makes a change, for the audit log: the git identity, as on the commit that will carry the change
 * ("Ada Lovelace <ada@example.com>"); the login name where git has none or is missing.
 */
export async function changeAuthor(root: string): Promise<string> {
  const git = projectGit(root);
  const read = async (key: string) => {
    try {
      return (await git.raw(['config', '--get', key])).trim();
    } catch {
      // unset (git exits 1) or git missing
      return '';
    }
  };
  const [name, email] = await Promise.all([read('user.name'), read('user.email')]);
  if (name || email) return [name, email && `<${email}>`].filter(Boolean).join(' ');
  return os.userInfo().username;
}
