import { AppError } from "../../contracts/app-error.ts";
import { parentPaths } from "./entry-path.ts";

export type ClaimKind = "file" | "directory" | "link";

/** `report.pdf` + 2 → `report (2).pdf`; `archive.tar.gz` keeps only its last extension apart. */
export function numberedName(path: string, n: number): string {
  const slash = path.lastIndexOf("/");
  const dir = path.slice(0, slash + 1);
  const base = path.slice(slash + 1);
  const dot = base.lastIndexOf(".");
  // A leading dot is a hidden file's name, not an extension.
  if (dot <= 0) return `${dir}${base} (${n})`;
  return `${dir}${base.slice(0, dot)} (${n})${base.slice(dot)}`;
}

/**
 * Decides where each entry lands. Duplicate rule: the first entry keeps its name and each later
 * one with the same path gets ` (2)`, ` (3)`, … before its extension, so nothing is silently
 * overwritten and the result does not depend on timing. Directories merge. An entry below a file or a
 * link is refused (UNSAFE_ARCHIVE): writing it would need to go through that file or link.
 */
export class NameRegistry {
  private readonly kinds = new Map<string, ClaimKind>();

  kindOf(path: string): ClaimKind | undefined {
    return this.kinds.get(path);
  }

  /** Returns the path the entry gets; registers its parents as directories. */
  claim(path: string, kind: ClaimKind): string {
    for (const parent of parentPaths(path)) {
      const existing = this.kinds.get(parent);
      if (existing === undefined) this.kinds.set(parent, "directory");
      else if (existing !== "directory") {
        throw new AppError("UNSAFE_ARCHIVE", `archive entry ${JSON.stringify(path)} lies below ${JSON.stringify(parent)}, which is a ${existing}: refused`, {
          details: { entry: path, parent, parent_kind: existing },
        });
      }
    }
    const existing = this.kinds.get(path);
    if (existing === undefined) {
      this.kinds.set(path, kind);
      return path;
    }
    if (kind === "directory" && existing === "directory") return path;
    if (kind === "directory" || existing === "directory") {
      throw new AppError("UNSAFE_ARCHIVE", `archive entry ${JSON.stringify(path)} is both a directory and a ${kind === "directory" ? existing : kind}: refused`, {
        details: { entry: path },
      });
    }
    for (let n = 2; ; n++) {
      const candidate = numberedName(path, n);
      if (!this.kinds.has(candidate)) {
        this.kinds.set(candidate, kind);
        return candidate;
      }
    }
  }
}
