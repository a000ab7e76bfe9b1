/** Queue tags: at most MAX_TAGS per queue, keys and values of limited length (see limits.ts). */
import { invalidParameter } from '../errors.js';
import { MAX_TAG_KEY_LENGTH, MAX_TAG_VALUE_LENGTH, MAX_TAGS } from './limits.js';
import { hasInvalidCharacters } from './messages.js';

export function validateTags(tags: Record<string, string>): void {
  const keys = Object.keys(tags);
  if (keys.length > MAX_TAGS) throw invalidParameter(`Too many tags: at most ${MAX_TAGS} are allowed.`);
  for (const key of keys) {
    if (key.length === 0 || key.length > MAX_TAG_KEY_LENGTH) {
      throw invalidParameter(
        `Tag key "${key}" is invalid. Reason: must be 1 to ${MAX_TAG_KEY_LENGTH} characters long.`,
      );
    }
    if (hasInvalidCharacters(key) || hasInvalidCharacters(tags[key] ?? '')) {
      throw invalidParameter(`Tag "${key}" contains characters outside the allowed set.`);
    }
    if ((tags[key] ?? '').length > MAX_TAG_VALUE_LENGTH) {
      throw invalidParameter(
        `Tag value for key "${key}" is invalid. Reason: must be at most ${MAX_TAG_VALUE_LENGTH} characters long.`,
      );
    }
  }
}
