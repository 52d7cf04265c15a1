import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * English and Simplified Chinese, the languages of the help centers Oriole serves;
 * English first, as Tesseract tries the first language first. The LSTM models
 * ("best_int") come from npm packages, so recognition works offline.
 */
export const ocrLanguages = ['eng', 'chi_sim'] as const;

export interface LanguageData {
  /** One directory with every language's traineddata, as Tesseract wants it. */
  langPath: string;
  languages: string[];
  remove(): void;
}

/**
 * Tesseract reads every language from one directory; each npm package holds one
 * language, so a private temporary directory links them together.
 */
export function linkLanguageData(languages: readonly string[] = ocrLanguages): LanguageData {
  const require = createRequire(import.meta.url);
  const langPath = mkdtempSync(path.join(tmpdir(), 'oriole-tessdata-'));
  for (const language of languages) {
    const packageDir = path.dirname(require.resolve(`@tesseract.js-data/${language}/package.json`));
    const file = `${language}.traineddata.gz`;
    symlinkSync(path.join(packageDir, '4.0.0_best_int', file), path.join(langPath, file));
  }
  return { langPath, languages: [...languages], remove: () => rmSync(langPath, { recursive: true, force: true }) };
}
