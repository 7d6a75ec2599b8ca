/**
 * The word lists behind the password policy's `blockCommonPasswords` and `noCommonVocabulary`
 * rules, shipped with the package (nothing is fetched at run time):
 *
 * - common passwords: `@zxcvbn-ts/language-common`'s `passwords-common` list (MIT), about 49,000
 *   lower-case passwords from public breach corpora, 3 to 20 characters long;
 * - English vocabulary: `@zxcvbn-ts/language-en`'s `commonWords-en` list (MIT), kept to the
 *   entries made only of the letters a–z with at least 5 of them (about 44,000 words).
 *
 * The packages decompress their lists when loaded (about 90 ms and 30 MB together), so they are
 * loaded on first use, not when `@orgkit/core` is imported; the lookup `Set`s are then kept for
 * the life of the process.
 */
import { createRequire } from "node:module";

type Dictionary = Record<string, readonly string[]>;

// `require` on first use, so that importing @orgkit/core does not pay for the lists.
const load = createRequire(import.meta.url);
const dictionaryOf = (name: string): Dictionary => (load(name) as { dictionary: Dictionary }).dictionary;

/** The shortest vocabulary word the `noCommonVocabulary` rule looks for. */
export const MIN_VOCABULARY_WORD_LENGTH = 5;

const fold = (text: string) => text.normalize("NFC").toLowerCase();

let commonPasswords: ReadonlySet<string> | undefined;

interface Vocabulary {
  readonly words: ReadonlySet<string>;
  readonly longest: number;
}

let vocabulary: Vocabulary | undefined;

function loadCommonPasswords(): ReadonlySet<string> {
  commonPasswords ??= new Set(
    (dictionaryOf("@zxcvbn-ts/language-common")["passwords-common"] ?? []).map(fold),
  );
  return commonPasswords;
}

function loadVocabulary(): Vocabulary {
  if (vocabulary === undefined) {
    const words = new Set<string>();
    let longest = 0;
    for (const word of dictionaryOf("@zxcvbn-ts/language-en")["commonWords-en"] ?? []) {
      // The list also holds contractions ("'s"), abbreviations ("mr.") and numbers; a
      // "word" here is letters only.
      if (word.length >= MIN_VOCABULARY_WORD_LENGTH && /^[a-z]+$/.test(word)) {
        words.add(word);
        longest = Math.max(longest, word.length);
      }
    }
    vocabulary = { words, longest };
  }
  return vocabulary;
}

/**
 * Whether the whole password, NFC-normalized and lower-cased, is on the common-password list.
 * A password that merely contains a common password is not refused by this check.
 */
export function isCommonPassword(password: string): boolean {
  return loadCommonPasswords().has(fold(password));
}

/**
 * The first English vocabulary word (letters a–z, at least 5 of them) that the password
 * contains, case-insensitively after NFC normalization, or `null` when there is none. At a
 * given position the longest word wins ("passwords" over "password").
 */
export function findCommonWord(password: string): string | null {
  const { words, longest } = loadVocabulary();
  const text = fold(password);
  for (let start = 0; start + MIN_VOCABULARY_WORD_LENGTH <= text.length; start++) {
    const end = Math.min(text.length, start + longest);
    for (let stop = end; stop >= start + MIN_VOCABULARY_WORD_LENGTH; stop--) {
      const candidate = text.slice(start, stop);
      if (words.has(candidate)) return candidate;
    }
  }
  return null;
}

/** The number of entries in each shipped list, for diagnostics and tests. */
export function passwordListSizes(): { commonPasswords: number; vocabulary: number } {
  return { commonPasswords: loadCommonPasswords().size, vocabulary: loadVocabulary().words.size };
}
