import { randomBase62 } from "./ids.js";

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (IEEE 802.3) of an ASCII string. */
export function crc32(text: string): number {
  let crc = 0xffffffff;
  for (let i = 0; i < text.length; i++) crc = CRC_TABLE[(crc ^ text.charCodeAt(i)) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** `value` in base62, left-padded with zeros to `width` characters. */
function toBase62(value: number, width: number): string {
  let out = "";
  let rest = value;
  while (rest > 0) {
    out = BASE62[rest % 62] + out;
    rest = Math.floor(rest / 62);
  }
  return out.padStart(width, "0");
}

/** The prefix of every personal access token. */
export const PAT_PREFIX = "orgkit_pat_";
/** Random base62 characters in a token: 30 × log2(62) ≈ 178.6 bits. */
const PAT_RANDOM_LENGTH = 30;
/** Base62 characters of the CRC-32 checksum (62^6 > 2^32). */
const PAT_CHECKSUM_LENGTH = 6;
/** The full length of a personal access token. */
export const PAT_LENGTH = PAT_PREFIX.length + PAT_RANDOM_LENGTH + PAT_CHECKSUM_LENGTH;

/**
 * A new personal access token: `orgkit_pat_` + 30 random base62 characters (≈ 178 bits) + the
 * CRC-32 of those 30, in 6 base62 characters (GitHub's scheme): a typo or a truncated paste is
 * caught without a storage read, and secret scanners can recognize the format.
 */
export function newPersonalAccessToken(): string {
  const random = randomBase62(PAT_RANDOM_LENGTH);
  return `${PAT_PREFIX}${random}${toBase62(crc32(random), PAT_CHECKSUM_LENGTH)}`;
}

/** True when `token` has the shape of a personal access token and its checksum matches. */
export function isWellFormedPersonalAccessToken(token: unknown): token is string {
  if (typeof token !== "string" || token.length !== PAT_LENGTH || !token.startsWith(PAT_PREFIX)) return false;
  const body = token.slice(PAT_PREFIX.length);
  if (!/^[0-9A-Za-z]+$/.test(body)) return false;
  const random = body.slice(0, PAT_RANDOM_LENGTH);
  return toBase62(crc32(random), PAT_CHECKSUM_LENGTH) === body.slice(PAT_RANDOM_LENGTH);
}

/** The characters of a token kept for display in lists: the prefix and 4 random characters. */
export function displayPrefix(token: string): string {
  return token.slice(0, PAT_PREFIX.length + 4);
}

/** The prefix of session tokens. */
export const SESSION_PREFIX = "orgkit_ses_";

/** A new session token: `orgkit_ses_` + 43 random base62 characters (≈ 256 bits). */
export function newSessionToken(): string {
  return `${SESSION_PREFIX}${randomBase62(43)}`;
}

/** True when `token` has the shape of a session token. */
export function isWellFormedSessionToken(token: unknown): token is string {
  return (
    typeof token === "string" &&
    token.length === SESSION_PREFIX.length + 43 &&
    /^orgkit_ses_[0-9A-Za-z]{43}$/.test(token)
  );
}
