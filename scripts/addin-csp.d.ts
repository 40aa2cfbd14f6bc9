// Types for scripts/addin-csp.js.
import type { AddinConfig } from './addin-config';

export const OFFICE_CDN: string;
export const MICROSOFT_LOGIN: string;
export function contentSecurityPolicy(config: Pick<AddinConfig, 'crmUrl' | 'graphUrl'>, extra?: string): string;
export function cspMeta(config: Pick<AddinConfig, 'crmUrl' | 'graphUrl'>, extra?: string): Record<string, Record<string, string>>;
