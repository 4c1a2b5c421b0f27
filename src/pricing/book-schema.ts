import { z } from 'zod';
import { PROFILES } from './types.js';

/** zod schemas of the shipped price book file and of the user's prices file. */

const price = z.number().finite().nonnegative();
const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a day as YYYY-MM-DD')
  .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)), 'not a valid calendar day');
export const REGION_RE = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;
const region = z.string().regex(REGION_RE, 'expected an AWS region code such as us-east-1');

const shippedPrices = z.object({
  input: price,
  output: price,
  cacheRead: price.nullable(),
  cacheWrite5m: price.nullable(),
  cacheWrite1h: price.nullable(),
});

export const shippedBookSchema = z
  .object({
    format: z.literal('bedrock-insights-price-book/1'),
    version: z.string().min(1),
    source: z.string().min(1),
    retrieved: day,
    units: z.literal('USD per 1,000,000 tokens'),
    notes: z.array(z.string()).optional(),
    entries: z.array(
      z.object({
        model: z.string().min(1),
        profile: z.enum(PROFILES).nullable(),
        region: region.nullable(),
        effective: day.nullable(),
        prices: shippedPrices,
        longContext: shippedPrices.extend({ thresholdTokens: z.number().int().positive() }).nullable(),
        sourceKey: z.string(),
        note: z.string().optional(),
      }),
    ),
    dropped: z.array(z.object({ sourceKey: z.string(), reason: z.string() })),
    /**
     * Cache prices the LiteLLM data lacked, applied when the book was built; kept in the book so
     * that `prices update --from` applies them to newer LiteLLM data too (where it still lacks them).
     */
    supplements: z
      .array(
        z.object({
          source: z.string(),
          retrieved: day,
          models: z.record(z.string(), z.object({ region: region, input: price, cacheRead: price, cacheWrite: price })),
        }),
      )
      .optional(),
  })
  .loose();
export type ShippedBookFile = z.infer<typeof shippedBookSchema>;

const userPrices = {
  input: price,
  output: price,
  cacheRead: price.optional(),
  cacheWrite5m: price.optional(),
  cacheWrite1h: price.optional(),
};

export const userEntrySchema = z
  .object({
    /** A base model id or a cross-region profile id (`us.anthropic.…`), as in `modelId`. */
    model: z
      .string()
      .min(1)
      .refine(
        (s) => !s.startsWith('arn:'),
        'a price is for a model id, not an ARN; map application-profile ARNs under "applicationProfiles"',
      ),
    region: region.optional(),
    effective: day.optional(),
    ...userPrices,
    longContext: z
      .object({ thresholdTokens: z.number().int().positive(), ...userPrices })
      .strict()
      .optional(),
    note: z.string().optional(),
  })
  .strict();
export type UserEntry = z.infer<typeof userEntrySchema>;

export const APP_PROFILE_ARN_RE = /^arn:aws[a-z-]*:bedrock:[^:]*:[^:]*:application-inference-profile\/.+$/;

const percent = z.number().finite().min(0).max(100);

export const userFileSchema = z
  .object({
    /** A label for this set of prices; becomes part of the book version (`litellm-…+<version>`). */
    version: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,40}$/, 'use letters, digits, . _ - (at most 40)')
      .optional(),
    prices: z.array(userEntrySchema).default([]),
    /**
     * A discount off the book's list prices (EDP, private pricing): `percent` for every model,
     * `models` per model id (a base id for every profile of it, or a profile id), winning over
     * `percent`. Not applied to the file's own `prices`, which are taken as the prices paid.
     */
    discount: z
      .object({
        percent: percent.optional(),
        models: z.record(z.string().min(1), percent).default({}),
        note: z.string().optional(),
      })
      .strict()
      .optional(),
    applicationProfiles: z
      .record(z.string(), z.string().min(1))
      .default({})
      .superRefine((map, ctx) => {
        for (const key of Object.keys(map)) {
          if (!APP_PROFILE_ARN_RE.test(key)) {
            ctx.addIssue({
              code: 'custom',
              path: [key],
              message:
                'the key must be an application-inference-profile ARN (arn:aws:bedrock:<region>:<account>:application-inference-profile/<id>)',
            });
          }
        }
      }),
  })
  .strict();
export type UserFile = z.infer<typeof userFileSchema>;
