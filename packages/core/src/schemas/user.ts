import { z } from "zod";
import { AccountIdSchema, DisplayNameSchema, EmailSchema } from "./common.js";

/** Longest password accepted, in code points; longer input is refused before any hashing. */
export const MAX_PASSWORD_LENGTH = 1024;

/**
 * A password as entered: only bounded here (a longer input is refused before any hashing); the
 * password policies that apply decide the rest.
 */
export const PasswordSchema = z
  .string()
  .min(1, "Enter a password.")
  .max(MAX_PASSWORD_LENGTH, `A password has at most ${MAX_PASSWORD_LENGTH} characters.`);

/** Input of `users.changePassword`. */
export const ChangePasswordInputSchema = z
  .object({ currentPassword: PasswordSchema.optional(), newPassword: PasswordSchema })
  .strict();

/** Input of `users.changePassword`. */
export type ChangePasswordInput = z.input<typeof ChangePasswordInputSchema>;

/** Input of `users.register`. */
export const RegisterUserInputSchema = z
  .object({
    email: EmailSchema,
    name: DisplayNameSchema,
    /** The public account id; derived from the email when omitted. */
    id: AccountIdSchema.optional(),
    password: PasswordSchema.optional(),
    /** The invitation that brought the user here: its organization's password policy applies too. */
    invitationToken: z.string().max(128).optional(),
  })
  .strict();

/** Input of `users.register`. */
export type RegisterUserInput = z.input<typeof RegisterUserInputSchema>;

/** A user as the API shows it to themself or to trusted code. */
export const UserSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    name: z.string(),
    emailVerified: z.boolean(),
    hasPassword: z.boolean(),
    createdAt: z.date(),
  })
  .meta({ id: "User", description: "A person with an account." });

/** A user as the API shows it to themself or to trusted code. */
export type User = z.infer<typeof UserSchema>;

/** A user as others see them: id and name only. */
export const PublicUserSchema = z
  .object({ id: z.string(), name: z.string() })
  .meta({ id: "PublicUser", description: "The public profile of a user." });

/** A user as others see them. */
export type PublicUser = z.infer<typeof PublicUserSchema>;
