import { createGoogleGenerativeAI } from '@ai-sdk/google'
import { NATIVE } from './provider-table.js'
import { type ModelFactory, ModelUnavailable } from './providers.js'

/**
 * Gemini models through Google's own API (GOOGLE_GENERATIVE_AI_API_KEY, GOOGLE_BASE_URL): for
 * `languageModel(ref, env, { google: googleModel })`. A module of its own, so the edge app,
 * which does not offer Google models, does not bundle its SDK (about 70 KiB gzipped).
 */
export const googleModel: ModelFactory = (model, env) => {
  const apiKey = env[NATIVE.google.key]
  if (!apiKey) throw new ModelUnavailable(`Set ${NATIVE.google.key} to use google models`)
  return createGoogleGenerativeAI({ apiKey, baseURL: env.GOOGLE_BASE_URL })(model)
}
