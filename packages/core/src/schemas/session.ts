import { z } from "zod";
import { SCOPES } from "../authz/scopes.js";
import { MAX_PASSWORD_LENGTH } from "./user.js";

/** Input of `auth.signIn`. The password is only bounded here; the policy applies when it is set. */
export const SignInInputSchema = z
  .object({
    email: z.string().trim().toLowerCase().min(1, "Enter your email address.").max(254),
    password: z
      .string()
      .min(1, "Enter your password.")
      .max(MAX_PASSWORD_LENGTH, `A password has at most ${MAX_PASSWORD_LENGTH} characters.`),
  })
  .strict();

/** Input of `auth.signIn`. */
export type SignInInput = z.input<typeof SignInInputSchema>;

/** A session as its owner sees it (never its token). */
export const SessionSchema = z
  .object({
    id: z.string(),
    /** The organization the session acts as, or null for the user themself. */
    organizationId: z.string().nullable(),
    createdAt: z.date(),
    lastSeenAt: z.date(),
    /** When it ends unless used again (the earlier of the idle and the absolute end). */
    expiresAt: z.date(),
    ip: z.string().nullable(),
    userAgent: z.string().nullable(),
  })
  .meta({ id: "Session", description: "A signed-in session." });

/** A session as its owner sees it. */
export type Session = z.infer<typeof SessionSchema>;

/** Input of `tokens.create`. */
export const CreateTokenInputSchema = z
  .object({
    name: z.string().trim().min(1, "Name the token.").max(100, "A token name has at most 100 characters."),
    scopes: z
      .array(z.enum(SCOPES, { error: "Unknown scope." }))
      .min(1, "Give the token at least one scope.")
      .max(SCOPES.length)
      .transform((scopes) => [...new Set(scopes)]),
    /** Days until it expires; null for a token that never expires (if every organization allows it). Default 90. */
    expiresInDays: z.number().int().min(1).max(3650).nullable().default(90),
  })
  .strict();

/** Input of `tokens.create`. */
export type CreateTokenInput = z.input<typeof CreateTokenInputSchema>;

/** A personal access token as its owner and their admins see it (never the token or its hash). */
export const AccessTokenSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    /** The first characters, to recognize it (`orgkit_pat_AbC1`). */
    prefix: z.string(),
    scopes: z.array(z.enum(SCOPES)),
    expiresAt: z.date().nullable(),
    lastUsedAt: z.date().nullable(),
    createdAt: z.date(),
    /** The owner's user id. */
    userId: z.string(),
  })
  .meta({ id: "AccessToken", description: "A personal access token." });

/** A personal access token as its owner and their admins see it. */
export type AccessToken = z.infer<typeof AccessTokenSchema>;

/** An organization's rules for personal access tokens that reach it. */
export const TokenPolicySchema = z
  .object({
    /** Refuse tokens that never expire. Default false. */
    requireExpiry: z.boolean().default(false),
    /** The longest lifetime a token may have, in days; null for no cap. Default null. */
    maxLifetimeDays: z.number().int().min(1).max(3650).nullable().default(null),
  })
  .strict()
  .meta({ id: "TokenPolicy", description: "An organization's rules for personal access tokens." });

/** An organization's rules for personal access tokens. */
export type TokenPolicy = z.infer<typeof TokenPolicySchema>;
