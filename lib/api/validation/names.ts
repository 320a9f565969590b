// String-format checks with Kubernetes' exact messages (k8s.io/apimachinery
// util/validation and api/validate/content). Each returns the list of
// problems, empty when valid, like the Go functions, so callers can wrap each
// message in a field error of their choosing.

export const DNS1123_LABEL_MAX_LENGTH = 63;
export const DNS1123_SUBDOMAIN_MAX_LENGTH = 253;
export const DNS1035_LABEL_MAX_LENGTH = 63;
export const LABEL_VALUE_MAX_LENGTH = 63;
const LABEL_KEY_NAME_MAX_LENGTH = 63;

const DNS1123_LABEL_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_LABEL_ERR = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
const DNS1123_SUBDOMAIN_FMT = `${DNS1123_LABEL_FMT}(\\.${DNS1123_LABEL_FMT})*`;
const DNS1123_SUBDOMAIN_ERR = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
const DNS1035_LABEL_FMT = '[a-z]([-a-z0-9]*[a-z0-9])?';
const DNS1035_LABEL_ERR = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character";
const LABEL_KEY_FMT = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const LABEL_KEY_ERR = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const LABEL_VALUE_FMT = `(${LABEL_KEY_FMT})?`;
const LABEL_VALUE_ERR = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

const dns1123LabelRe = new RegExp(`^${DNS1123_LABEL_FMT}$`);
const dns1123SubdomainRe = new RegExp(`^${DNS1123_SUBDOMAIN_FMT}$`);
const dns1035LabelRe = new RegExp(`^${DNS1035_LABEL_FMT}$`);
const labelKeyRe = new RegExp(`^${LABEL_KEY_FMT}$`);
const labelValueRe = new RegExp(`^${LABEL_VALUE_FMT}$`);

/**
 * Strings already found valid, per rule. The same label keys, values,
 * toleration keys and namespaces come back on every object of a cluster;
 * their checks (a split, one or two regular expressions, a UTF-8 length)
 * run once. Only valid strings are kept (errors are rare and need their
 * messages), and the set is bounded so that distinct names cannot grow it
 * without end.
 */
class KnownValid {
  private readonly seen = new Set<string>();
  /**
   * `quick`: a character scan that recognizes the common valid strings
   * without a regular expression or the set (object names are new on every
   * create, so remembering them only churns the set); false sends the
   * string down the full check.
   */
  constructor(
    private readonly check: (value: string) => string[],
    private readonly quick?: (value: string) => boolean,
  ) {}
  errors(value: string): string[] {
    if (this.quick?.(value)) return NO_ERRORS;
    if (this.seen.has(value)) return NO_ERRORS;
    const errs = this.check(value);
    if (errs.length === 0) {
      if (this.seen.size >= KNOWN_VALID_MAX) this.seen.clear();
      this.seen.add(value);
    }
    return errs;
  }
}
const KNOWN_VALID_MAX = 8_192;
/** What a known-valid string answers: one frozen list, not a new one per check (callers only read it). */
const NO_ERRORS = Object.freeze([]) as unknown as string[];

// The quick scans accept only ASCII, where a string's length is its byte length.

/** [a-z0-9] */
function isLowerAlnum(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 48 && c <= 57);
}

/** [A-Za-z0-9] */
function isAlnum(c: number): boolean {
  return isLowerAlnum(c) || (c >= 65 && c <= 90);
}

/** Whether value[from, to) is a DNS-1123 label: [a-z0-9]([-a-z0-9]*[a-z0-9])? */
function scanDNS1123Label(value: string, from: number, to: number): boolean {
  if (to <= from || !isLowerAlnum(value.charCodeAt(from)) || !isLowerAlnum(value.charCodeAt(to - 1))) return false;
  for (let i = from + 1; i < to - 1; i++) {
    const c = value.charCodeAt(i);
    if (!isLowerAlnum(c) && c !== 45) return false;
  }
  return true;
}

/** A valid DNS-1123 subdomain: dot-separated labels, at most 253 characters. */
function quickDNS1123Subdomain(value: string): boolean {
  if (value.length > DNS1123_SUBDOMAIN_MAX_LENGTH) return false;
  let from = 0;
  for (let i = 0; i <= value.length; i++) {
    if (i < value.length && value.charCodeAt(i) !== 46) continue;
    if (!scanDNS1123Label(value, from, i)) return false;
    from = i + 1;
  }
  return true;
}

function quickDNS1123Label(value: string): boolean {
  return value.length <= DNS1123_LABEL_MAX_LENGTH && scanDNS1123Label(value, 0, value.length);
}

/** Whether value[from, to) matches ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9] (non-empty). */
function scanLabelKeyName(value: string, from: number, to: number): boolean {
  if (to <= from || !isAlnum(value.charCodeAt(from)) || !isAlnum(value.charCodeAt(to - 1))) return false;
  for (let i = from + 1; i < to - 1; i++) {
    const c = value.charCodeAt(i);
    if (!isAlnum(c) && c !== 45 && c !== 95 && c !== 46) return false;
  }
  return true;
}

/** A valid qualified name: a name of at most 63, after an optional subdomain prefix and '/'. */
function quickQualifiedName(value: string): boolean {
  const slash = value.indexOf('/');
  if (slash < 0) return value.length <= LABEL_KEY_NAME_MAX_LENGTH && scanLabelKeyName(value, 0, value.length);
  if (value.indexOf('/', slash + 1) >= 0 || value.length - slash - 1 > LABEL_KEY_NAME_MAX_LENGTH) return false;
  return quickDNS1123Subdomain(value.slice(0, slash)) && scanLabelKeyName(value, slash + 1, value.length);
}

/** A valid label value: empty, or a name of at most 63. */
function quickLabelValue(value: string): boolean {
  return value.length === 0 || (value.length <= LABEL_VALUE_MAX_LENGTH && scanLabelKeyName(value, 0, value.length));
}

/** Go measures strings in bytes (UTF-8), not UTF-16 code units. */
export function byteLength(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

export function maxLenError(length: number): string {
  return `must be no more than ${length} characters`;
}

export function emptyError(): string {
  return 'must be non-empty';
}

export function inclusiveRangeError(lo: number, hi: number): string {
  return `must be between ${lo} and ${hi}, inclusive`;
}

/** Go's RegexError: msg (e.g. 'a', 'b', regex used for validation is 'fmt'). */
export function regexError(msg: string, fmt: string, ...examples: string[]): string {
  if (examples.length === 0) return `${msg} (regex used for validation is '${fmt}')`;
  return `${msg} (e.g. ${examples.map((e) => `'${e}', `).join('or ')}regex used for validation is '${fmt}')`;
}

const knownDNS1123Label = new KnownValid(checkDNS1123Label, quickDNS1123Label);
export function isDNS1123Label(value: string): string[] {
  return knownDNS1123Label.errors(value);
}

function checkDNS1123Label(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > DNS1123_LABEL_MAX_LENGTH) errs.push(maxLenError(DNS1123_LABEL_MAX_LENGTH));
  if (!dns1123LabelRe.test(value)) {
    // A valid subdomain that is not a valid label must contain dots.
    if (dns1123SubdomainRe.test(value)) errs.push('must not contain dots');
    else errs.push(regexError(DNS1123_LABEL_ERR, DNS1123_LABEL_FMT, 'my-name', '123-abc'));
  }
  return errs;
}

const knownDNS1123Subdomain = new KnownValid(checkDNS1123Subdomain, quickDNS1123Subdomain);
export function isDNS1123Subdomain(value: string): string[] {
  return knownDNS1123Subdomain.errors(value);
}

function checkDNS1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > DNS1123_SUBDOMAIN_MAX_LENGTH) errs.push(maxLenError(DNS1123_SUBDOMAIN_MAX_LENGTH));
  if (!dns1123SubdomainRe.test(value)) errs.push(regexError(DNS1123_SUBDOMAIN_ERR, DNS1123_SUBDOMAIN_FMT, 'example.com'));
  return errs;
}

export function isDNS1035Label(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > DNS1035_LABEL_MAX_LENGTH) errs.push(maxLenError(DNS1035_LABEL_MAX_LENGTH));
  if (!dns1035LabelRe.test(value)) errs.push(regexError(DNS1035_LABEL_ERR, DNS1035_LABEL_FMT, 'my-name', 'abc-123'));
  return errs;
}

/** A label key / "qualified name": optional DNS-subdomain prefix, '/', then a name. */
const knownQualifiedName = new KnownValid(checkQualifiedName, quickQualifiedName);
export function isQualifiedName(value: string): string[] {
  return knownQualifiedName.errors(value);
}

function checkQualifiedName(value: string): string[] {
  const errs: string[] = [];
  const parts = value.split('/');
  let name: string;
  if (parts.length === 1) {
    name = parts[0]!;
  } else if (parts.length === 2) {
    const prefix = parts[0]!;
    name = parts[1]!;
    if (prefix.length === 0) errs.push(`prefix part ${emptyError()}`);
    else for (const m of isDNS1123Subdomain(prefix)) errs.push(`prefix part ${m}`);
  } else {
    return [
      `a valid label key ${regexError(LABEL_KEY_ERR, LABEL_KEY_FMT, 'MyName', 'my.name', '123-abc')} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ];
  }
  if (name.length === 0) errs.push(`name part ${emptyError()}`);
  else if (byteLength(name) > LABEL_KEY_NAME_MAX_LENGTH) errs.push(`name part ${maxLenError(LABEL_KEY_NAME_MAX_LENGTH)}`);
  if (!labelKeyRe.test(name)) errs.push(`name part ${regexError(LABEL_KEY_ERR, LABEL_KEY_FMT, 'MyName', 'my.name', '123-abc')}`);
  return errs;
}

/** Label keys are qualified names. */
export const isLabelKey = isQualifiedName;

const knownLabelValue = new KnownValid(checkLabelValue, quickLabelValue);
export function isLabelValue(value: string): string[] {
  return knownLabelValue.errors(value);
}

function checkLabelValue(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > LABEL_VALUE_MAX_LENGTH) errs.push(maxLenError(LABEL_VALUE_MAX_LENGTH));
  if (!labelValueRe.test(value)) errs.push(regexError(LABEL_VALUE_ERR, LABEL_VALUE_FMT, 'MyValue', 'my_value', '12345'));
  return errs;
}

export function isValidPortNum(port: number): string[] {
  return Number.isInteger(port) && port >= 1 && port <= 65535 ? NO_ERRORS : [inclusiveRangeError(1, 65535)];
}

/** IANA service names: at most 15 of [-a-z0-9], with a letter, no "--", no leading/trailing '-'. */
export function isValidPortName(port: string): string[] {
  const errs: string[] = [];
  if (byteLength(port) > 15) errs.push(maxLenError(15));
  if (!/^[-a-z0-9]+$/.test(port)) errs.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
  if (!/[a-z]/.test(port)) errs.push('must contain at least one letter (a-z)');
  if (port.includes('--')) errs.push('must not contain consecutive hyphens');
  if (port.length > 0 && (port.startsWith('-') || port.endsWith('-'))) errs.push('must not begin or end with a hyphen');
  return errs;
}

const envVarNameFmt = '[-._a-zA-Z][-._a-zA-Z0-9]*';
export function isEnvVarName(value: string): string[] {
  const errs: string[] = [];
  if (!new RegExp(`^${envVarNameFmt}$`).test(value)) {
    errs.push(
      regexError(
        "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit",
        envVarNameFmt,
        'my.env-name',
        'MY_ENV.NAME',
        'MyEnvName1',
      ),
    );
  }
  errs.push(...hasChDirPrefix(value));
  return errs;
}

const configMapKeyFmt = '[-._a-zA-Z0-9]+';
export function isConfigMapKey(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > DNS1123_SUBDOMAIN_MAX_LENGTH) errs.push(maxLenError(DNS1123_SUBDOMAIN_MAX_LENGTH));
  if (!new RegExp(`^${configMapKeyFmt}$`).test(value)) {
    errs.push(regexError("a valid config key must consist of alphanumeric characters, '-', '_' or '.'", configMapKeyFmt, 'key.name', 'KEY_NAME', 'key-name'));
  }
  errs.push(...hasChDirPrefix(value));
  return errs;
}

function hasChDirPrefix(value: string): string[] {
  if (value === '.') return ["must not be '.'"];
  if (value === '..') return ["must not be '..'"];
  if (value.startsWith('..')) return ["must not start with '..'"];
  return [];
}

/** Names are URL path segments: the REST layer rejects these before validation. */
export function isValidPathSegmentName(name: string): string[] {
  for (const bad of ['.', '..']) if (name === bad) return [`may not be '${bad}'`];
  const errs: string[] = [];
  for (const bad of ['/', '%']) if (name.includes(bad)) errs.push(`may not contain '${bad}'`);
  return errs;
}

/**
 * A name validator as Kubernetes' ValidateNameFunc: with prefix=true the
 * value is a generateName prefix, whose trailing '-' is allowed.
 */
export type NameValidator = (name: string, prefix: boolean) => string[];

function maskTrailingDash(name: string): string {
  return name.length > 1 && name.endsWith('-') ? `${name.slice(0, -2)}a` : name;
}

export const nameIsDNSSubdomain: NameValidator = (name, prefix) => isDNS1123Subdomain(prefix ? maskTrailingDash(name) : name);
export const nameIsDNSLabel: NameValidator = (name, prefix) => isDNS1123Label(prefix ? maskTrailingDash(name) : name);
export const nameIsDNS1035Label: NameValidator = (name, prefix) => isDNS1035Label(prefix ? maskTrailingDash(name) : name);
