import * as path from 'node:path';
import { MlopsError } from '../errors';
import { l10n } from '../l10n';

/**
 * What a failed write of `file` means to the person who named it. Node's own message names the temporary the
 * bytes went to first (`.p.csv.4640.b8731b10.tmp`), a name nobody typed; this names their path and what to do.
 * Anything that is not a file-system error is returned as it is.
 */
export function writeFailure(err: unknown, file: string): unknown {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (err instanceof MlopsError || typeof code !== 'string') return err;
  const folder = path.dirname(file);
  const elsewhere = l10n.t('Create the folder first, or write the file into a folder that exists.');
  switch (code) {
    case 'ENOENT':
      return new MlopsError(l10n.t('Cannot write {0}: the folder {1} does not exist.', file, folder), elsewhere, 'CANNOT_WRITE');
    case 'ENOTDIR':
      return new MlopsError(l10n.t('Cannot write {0}: a part of {1} is a file, not a folder.', file, folder), elsewhere, 'CANNOT_WRITE');
    case 'EISDIR':
      return new MlopsError(l10n.t('Cannot write {0}: it is a folder.', file), l10n.t('Give the path of a file, inside that folder for example.'), 'CANNOT_WRITE');
    case 'EACCES':
    case 'EPERM':
      return new MlopsError(l10n.t('Cannot write {0}: permission denied.', file), l10n.t('Write it into a folder you may write to, or change the permissions of {0}.', folder), 'CANNOT_WRITE');
    case 'EROFS':
      return new MlopsError(l10n.t('Cannot write {0}: the file system is read-only.', file), l10n.t('Write it somewhere else.'), 'CANNOT_WRITE');
    case 'ENOSPC':
    case 'EDQUOT':
      return new MlopsError(l10n.t('Cannot write {0}: the disk is full.', file), l10n.t('Free some space, then try again; nothing was written.'), 'CANNOT_WRITE');
    default:
      return new MlopsError(l10n.t('Cannot write {0} ({1}).', file, code), l10n.t('Check the path and its folder, then try again; nothing was written.'), 'CANNOT_WRITE');
  }
}
