// Which build of raftsim this is: the git commit build.mjs bundled (with "-dirty" when the
// tree had changes), or "source" when run from the TypeScript sources. A replay file records
// it, so a replay that no longer reproduces can say why: another build simulates differently.
declare const RAFTSIM_BUILD: string | undefined;

export const BUILD_ID: string = typeof RAFTSIM_BUILD === "string" ? RAFTSIM_BUILD : "source";
