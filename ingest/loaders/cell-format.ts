/**
 * A spreadsheet number as the sheet displays it, from its number format (ECMA-376 Part 1,
 * 18.8.30–31): dates and times rather than serial numbers, percentages, fixed decimals,
 * thousands separators, currency signs and quoted text. What it does not render
 * (conditions such as `[>=100]`, fractions, text padding to a width) falls back to
 * Excel's General: up to 11 significant digits. Date formats whose display depends on
 * the reader's locale (built-in 14 and 22, "short date") become ISO dates, `2026-03-01`.
 * Month and day names are English.
 */
export function formatCellNumber(value: number, format: string, date1904 = false): string {
  if (!Number.isFinite(value)) return String(value);
  const sections = splitSections(format);
  let section = sections[0] ?? '';
  let shown = value;
  let sign = '';
  if (value < 0 && sections.length >= 2) {
    section = sections[1]!;
    shown = -value;
  } else if (value === 0 && sections.length >= 3) {
    section = sections[2]!;
  }
  const bare = withoutLiterals(section);
  if (/^\s*(general)?\s*$/i.test(bare) || bare.includes('@') || /\[[<>=]/.test(section)) return general(value);
  if (isDateFormat(bare)) {
    const date = serialToDate(value, date1904);
    return date === null ? general(value) : formatDate(date, section);
  }
  if (shown < 0) {
    sign = '-';
    shown = -shown;
  }
  const number = formatNumber(shown, section);
  return number === null ? general(value) : `${sign}${number}`;
}

/** The format code of a built-in number format id; undefined for ids that only a workbook's styles define. */
export function builtInNumberFormat(id: number): string | undefined {
  if ((id >= 27 && id <= 36) || (id >= 50 && id <= 58)) return isoDate; // East Asian date formats
  return builtInFormats[id];
}

const isoDate = 'yyyy-mm-dd';

const builtInFormats: Record<number, string> = {
  0: 'General',
  1: '0',
  2: '0.00',
  3: '#,##0',
  4: '#,##0.00',
  // 5–8 and 41–44 are the currency and accounting formats as en-US shows them.
  5: '"$"#,##0_);("$"#,##0)',
  6: '"$"#,##0_);[Red]("$"#,##0)',
  7: '"$"#,##0.00_);("$"#,##0.00)',
  8: '"$"#,##0.00_);[Red]("$"#,##0.00)',
  9: '0%',
  10: '0.00%',
  11: '0.00E+00',
  12: '# ?/?',
  13: '# ??/??',
  14: isoDate,
  15: 'd-mmm-yy',
  16: 'd-mmm',
  17: 'mmm-yy',
  18: 'h:mm AM/PM',
  19: 'h:mm:ss AM/PM',
  20: 'h:mm',
  21: 'h:mm:ss',
  22: `${isoDate} h:mm`,
  37: '#,##0 ;(#,##0)',
  38: '#,##0 ;[Red](#,##0)',
  39: '#,##0.00;(#,##0.00)',
  40: '#,##0.00;[Red](#,##0.00)',
  41: '_(* #,##0_);_(* (#,##0);_(* "-"_);_(@_)',
  42: '_("$"* #,##0_);_("$"* (#,##0);_("$"* "-"_);_(@_)',
  43: '_(* #,##0.00_);_(* (#,##0.00);_(* "-"??_);_(@_)',
  44: '_("$"* #,##0.00_);_("$"* (#,##0.00);_("$"* "-"??_);_(@_)',
  45: 'mm:ss',
  46: '[h]:mm:ss',
  47: 'mm:ss.0',
  48: '##0.0E+0',
  49: '@',
};

/** Excel's General: integers as they are, other numbers to 11 significant digits. */
export function general(value: number): string {
  if (Number.isInteger(value) && Math.abs(value) < 1e11) return String(value);
  return String(Number(value.toPrecision(11)));
}

/** A format's sections (positive;negative;zero;text), split at `;` outside quotes, brackets and escapes. */
function splitSections(format: string): string[] {
  const sections: string[] = [];
  let current = '';
  for (let index = 0; index < format.length; index++) {
    const character = format[index]!;
    if (character === '"') {
      const end = format.indexOf('"', index + 1);
      const stop = end === -1 ? format.length : end + 1;
      current += format.slice(index, stop);
      index = stop - 1;
    } else if (character === '\\' || character === '_' || character === '*') {
      current += format.slice(index, index + 2);
      index++;
    } else if (character === '[') {
      const end = format.indexOf(']', index);
      const stop = end === -1 ? format.length : end + 1;
      current += format.slice(index, stop);
      index = stop - 1;
    } else if (character === ';') {
      sections.push(current);
      current = '';
    } else {
      current += character;
    }
  }
  sections.push(current);
  return sections;
}

/** The format without quoted text, escapes, padding and brackets other than elapsed time (`[h]`). */
function withoutLiterals(section: string): string {
  return section
    .replace(/"[^"]*"?/g, '')
    .replace(/[\\_*]./g, '')
    .replace(/\[(?![hms]+\])[^\]]*\]?/gi, '');
}

function isDateFormat(bare: string): boolean {
  return /[ymdhs]/i.test(bare.replace(/E[+-]/gi, ''));
}

/** A serial date as a UTC date; null outside years 1900–9999. */
function serialToDate(serial: number, date1904: boolean): Date | null {
  if (serial < 0 || serial >= 2_958_466) return null;
  // Serial 1 is 1 January 1900; Excel counts a 29 February 1900 that never was, so from
  // serial 61 on the epoch is a day earlier. The 1904 system counts from 1 January 1904.
  const epoch = date1904 ? Date.UTC(1904, 0, 1) : serial < 61 ? Date.UTC(1899, 11, 31) : Date.UTC(1899, 11, 30);
  return new Date(epoch + Math.round(serial * 86_400) * 1000);
}

const monthNames = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const dayNames = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

type DateToken = { kind: 'literal'; text: string } | { kind: 'field'; letter: string; length: number } | { kind: 'ampm'; short: boolean };

function formatDate(date: Date, section: string): string {
  const tokens = dateTokens(section);
  const twelveHour = tokens.some((token) => token.kind === 'ampm');
  const hours = date.getUTCHours();
  return tokens
    .map((token, index) => {
      if (token.kind === 'literal') return token.text;
      if (token.kind === 'ampm') return token.short ? (hours < 12 ? 'A' : 'P') : hours < 12 ? 'AM' : 'PM';
      const { letter, length } = token;
      switch (letter) {
        case 'y':
          return length <= 2 ? pad(date.getUTCFullYear() % 100, 2) : String(date.getUTCFullYear());
        case 'm':
          if (length <= 2 && isMinute(tokens, index)) return pad(date.getUTCMinutes(), length);
          if (length <= 2) return pad(date.getUTCMonth() + 1, length);
          if (length === 3) return monthNames[date.getUTCMonth()]!.slice(0, 3);
          return length === 5 ? monthNames[date.getUTCMonth()]![0]! : monthNames[date.getUTCMonth()]!;
        case 'd':
          if (length <= 2) return pad(date.getUTCDate(), length);
          return length === 3 ? dayNames[date.getUTCDay()]!.slice(0, 3) : dayNames[date.getUTCDay()]!;
        case 'h':
          return pad(twelveHour ? hours % 12 || 12 : hours, length);
        case 's':
          return pad(date.getUTCSeconds(), length);
        default:
          return '';
      }
    })
    .join('');
}

/** `m` is minutes right after an hour or right before seconds, else the month. */
function isMinute(tokens: readonly DateToken[], index: number): boolean {
  const fields = (from: number, step: number) => {
    for (let at = from; at >= 0 && at < tokens.length; at += step) {
      const token = tokens[at]!;
      if (token.kind === 'field') return token.letter;
    }
    return undefined;
  };
  return fields(index - 1, -1) === 'h' || fields(index + 1, 1) === 's';
}

function dateTokens(section: string): DateToken[] {
  const tokens: DateToken[] = [];
  const literal = (text: string) => tokens.push({ kind: 'literal', text });
  for (let index = 0; index < section.length; ) {
    const rest = section.slice(index);
    const character = section[index]!;
    const lower = character.toLowerCase();
    if (character === '"') {
      const end = section.indexOf('"', index + 1);
      literal(section.slice(index + 1, end === -1 ? section.length : end));
      index = end === -1 ? section.length : end + 1;
    } else if (character === '\\') {
      literal(section[index + 1] ?? '');
      index += 2;
    } else if (character === '_') {
      literal(' ');
      index += 2;
    } else if (character === '*') {
      index += 2;
    } else if (character === '[') {
      const end = section.indexOf(']', index);
      const inner = section.slice(index + 1, end === -1 ? section.length : end);
      // Elapsed time ([h]) reads as its field; colours, locales and conditions show nothing.
      if (/^[hms]+$/i.test(inner)) tokens.push({ kind: 'field', letter: inner[0]!.toLowerCase(), length: inner.length });
      index = end === -1 ? section.length : end + 1;
    } else if (/^am\/pm/i.test(rest)) {
      tokens.push({ kind: 'ampm', short: false });
      index += 5;
    } else if (/^a\/p/i.test(rest)) {
      tokens.push({ kind: 'ampm', short: true });
      index += 3;
    } else if ('ymdhs'.includes(lower)) {
      let length = 1;
      while (section[index + length]?.toLowerCase() === lower) length++;
      tokens.push({ kind: 'field', letter: lower, length });
      index += length;
    } else if (/[egb]/i.test(character)) {
      // Era and Buddhist-year letters are not rendered.
      index++;
    } else {
      literal(character);
      index++;
    }
  }
  return tokens;
}

function pad(value: number, length: number): string {
  return String(value).padStart(Math.min(length, 2), '0');
}

/** A non-negative number through a numeric section; null for what is left to General (fractions, huge numbers). */
function formatNumber(value: number, section: string): string | null {
  const pieces = numberPieces(section);
  const placeholders = pieces.flatMap((piece, index) => (piece.kind === 'digit' ? [index] : []));
  if (placeholders.length === 0) return pieces.map((piece) => piece.text).join('');
  const first = placeholders[0]!;
  const last = placeholders.at(-1)!;
  const core = pieces.slice(first, last + 1).map((piece) => piece.text).join('');
  if (core.includes('/')) return null;
  let scaled = withoutLiterals(section).includes('%') ? value * 100 : value;
  // Commas right after the last digit placeholder divide by a thousand each (`#,##0,` shows thousands).
  let trailing = last + 1;
  while (pieces[trailing]?.kind === 'comma') {
    scaled /= 1000;
    trailing++;
  }
  const exponent = /E([+-])/i.exec(core);
  const [integerPattern = '', fractionPattern = ''] = core.split(/E[+-]/i)[0]!.split('.');
  const decimals = (fractionPattern.match(/[0#?]/g) ?? []).length;
  const minimumDecimals = (fractionPattern.match(/0/g) ?? []).length;
  let number: string;
  if (exponent) {
    number = scaled.toExponential(decimals).toUpperCase().replace(/E([+-])(\d)$/, 'E$10$2');
    if (exponent[1] === '+' || number.includes('E-')) number = number.replace(/E(\d)/, 'E+$1');
  } else {
    if (scaled >= 1e21) return null;
    const [whole = '0', fraction = ''] = scaled.toFixed(decimals).split('.');
    const minimumDigits = (integerPattern.match(/0/g) ?? []).length;
    let integer = whole === '0' && minimumDigits === 0 ? '' : whole.padStart(minimumDigits, '0');
    if (/[0#?],[0#?]/.test(integerPattern)) integer = integer.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
    let shownFraction = fraction;
    while (shownFraction.length > minimumDecimals && shownFraction.endsWith('0')) shownFraction = shownFraction.slice(0, -1);
    number = shownFraction.length > 0 ? `${integer}.${shownFraction}` : integer;
    // `#` and `?` show nothing for an insignificant zero; a number with no `0` placeholder may show nothing at all.
    if (number === '' && /0/.test(core)) number = '0';
  }
  const before = pieces.slice(0, first).map((piece) => piece.text).join('');
  const after = pieces.slice(trailing).map((piece) => piece.text).join('');
  return `${before}${number}${after}`;
}

type NumberPiece = { kind: 'digit' | 'comma' | 'literal'; text: string };

function numberPieces(section: string): NumberPiece[] {
  const pieces: NumberPiece[] = [];
  for (let index = 0; index < section.length; ) {
    const character = section[index]!;
    if (character === '"') {
      const end = section.indexOf('"', index + 1);
      pieces.push({ kind: 'literal', text: section.slice(index + 1, end === -1 ? section.length : end) });
      index = end === -1 ? section.length : end + 1;
    } else if (character === '\\') {
      pieces.push({ kind: 'literal', text: section[index + 1] ?? '' });
      index += 2;
    } else if (character === '_') {
      // Padding the width of a character: at the ends of a cell it only aligns columns.
      index += 2;
    } else if (character === '*') {
      index += 2;
    } else if (character === '[') {
      const end = section.indexOf(']', index);
      const inner = section.slice(index + 1, end === -1 ? section.length : end);
      // [$€-407] is a currency sign with a locale; colours and conditions show nothing.
      const currency = /^\$([^-]*)/.exec(inner);
      if (currency) pieces.push({ kind: 'literal', text: currency[1]! });
      index = end === -1 ? section.length : end + 1;
    } else if ('0#?'.includes(character)) {
      pieces.push({ kind: 'digit', text: character });
      index++;
    } else if (character === ',') {
      pieces.push({ kind: 'comma', text: character });
      index++;
    } else if (character === '.' || character === '/' || ((character === 'E' || character === 'e') && /[+-]/.test(section[index + 1] ?? ''))) {
      // Inside the number these are its decimal point, fraction bar or exponent; outside it, text.
      const inside = pieces.some((piece) => piece.kind === 'digit') && /[0#?]/.test(section.slice(index + 1));
      const text = character === 'E' || character === 'e' ? section.slice(index, index + 2) : character;
      pieces.push({ kind: inside ? 'digit' : 'literal', text });
      index += text.length;
    } else {
      pieces.push({ kind: 'literal', text: character });
      index++;
    }
  }
  // A comma between two digit placeholders is grouping, part of the number.
  return pieces.map((piece, index) =>
    piece.kind === 'comma' && pieces.slice(0, index).some((p) => p.kind === 'digit') && pieces.slice(index + 1).some((p) => p.kind === 'digit')
      ? { kind: 'digit', text: ',' }
      : piece,
  );
}
