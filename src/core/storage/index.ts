/**
 * The plumbing beneath every capability: durable files, the content-addressed object cache, hashing and locks. A
 * capability reaches files and objects through these, never through paths of its own, so that a shared remote
 * (S3-compatible) or another backend replaces one module here, not every caller.
 */
export { writeFileDurably, syncFolder, temporaryNameBeside, openTemporaryBeside } from './durableFile';
export { writeFailure } from './fileErrors';
export { ObjectCache, DIGEST_PREFIX, toDigest, hexOf, missingObject, corruptObject } from './objectCache';
export { sha256, hashFile, copyHashing, cloneOrCopyHashing, READ_SIZE, type HashedFile } from './hashing';
export { acquireLock, isProcessAlive, type LockOptions } from './lock';
