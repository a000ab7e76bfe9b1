/** Queue tags: at most 50 per queue, keys 1..128 and values 0..256 characters. */
import { invalidParameter } from '../errors.js';
import { hasInvalidCharacters } from './messages.js';

export const MAX_TAGS = 50;

export function validateTags(tags: Record<string, string>): void {
  const keys = Object.keys(tags);
  if (keys.length > MAX_TAGS) throw invalidParameter(`Too many tags: at most ${MAX_TAGS} are allowed.`);
  for (const key of keys) {
    if (key.length === 0 || key.length > 128) {
      throw invalidParameter(`Tag key "${key}" is invalid. Reason: must be 1 to 128 characters long.`);
    }
    if (hasInvalidCharacters(key) || hasInvalidCharacters(tags[key] ?? '')) {
      throw invalidParameter(`Tag "${key}" contains characters outside the allowed set.`);
    }
    if ((tags[key] ?? '').length > 256) {
      throw invalidParameter(`Tag value for key "${key}" is invalid. Reason: must be at most 256 characters long.`);
    }
  }
}
