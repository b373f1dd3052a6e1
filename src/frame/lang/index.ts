/**
 * Every language table, by code. The hub imports this (it picks a language per frame document and
 * titles the iframe in it); the frame bundle never does: build.mjs builds one frame script per language,
 * each importing its own table only, so a visitor downloads one language.
 */
import type { Language } from '../../protocol/languages.js';
import { EN, type Strings } from '../strings.js';
import { AR } from './ar.js';
import { DE } from './de.js';
import { ES } from './es.js';
import { FR } from './fr.js';
import { HE } from './he.js';
import { JA } from './ja.js';
import { PT } from './pt.js';

export const TABLES: Record<Language, Strings> = { en: EN, de: DE, fr: FR, es: ES, pt: PT, ja: JA, ar: AR, he: HE };
