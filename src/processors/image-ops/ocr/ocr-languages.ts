import { access, mkdir, symlink } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { AppError } from "../../../contracts/app-error.ts";

const require = createRequire(import.meta.url);

/** Where `@tesseract.js-data/<lang>` keeps its LSTM model: the integer "best" model (what
 * tesseract.js itself fetches for its LSTM engine), else the 4.0.0 one. Null: not installed. */
export async function languageDataFile(lang: string): Promise<string | null> {
  let root: string;
  try {
    root = dirname(require.resolve(`@tesseract.js-data/${lang}/package.json`));
  } catch {
    return null;
  }
  for (const variant of ["4.0.0_best_int", "4.0.0"]) {
    const file = join(root, variant, `${lang}.traineddata.gz`);
    if (
      await access(file).then(
        () => true,
        () => false,
      )
    )
      return file;
  }
  return null;
}

/** One folder holding every requested language's data (tesseract.js reads all languages from one
 * `langPath`), made of links to the npm packages' files: nothing is fetched, nothing copied. */
export async function languageFolder(langs: readonly string[], workDir: string, stage: string): Promise<string> {
  const dir = join(workDir, "tessdata");
  await mkdir(dir, { recursive: true });
  const missing: string[] = [];
  for (const lang of langs) {
    const file = await languageDataFile(lang);
    if (file === null) {
      missing.push(lang);
      continue;
    }
    await symlink(file, join(dir, `${lang}.traineddata.gz`)).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== "EEXIST") throw e;
    });
  }
  if (missing.length) {
    throw new AppError("INVALID_PARAMS", `OCR language data not installed on this node: ${missing.join(", ")} (install @tesseract.js-data/<lang>)`, { stage, details: { missing } });
  }
  return dir;
}
