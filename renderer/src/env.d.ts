/// <reference types="vite/client" />

declare module 'virtual:sluice-precompiled' {
  /** Ajv validators generated at build time, by schema key (renderer/build/precompiled-validators.ts). */
  export const precompiled: Record<string, (data: unknown) => boolean>;
}
