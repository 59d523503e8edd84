// Human-readable numbers, times and durations for the page.

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** "just now", "3 minutes ago", "2 hours ago", "1 day ago". */
export function ago(minutes) {
  if (!(minutes >= 1)) return 'just now';
  if (minutes < 60) return plural(Math.floor(minutes), 'minute') + ' ago';
  if (minutes < 60 * 24) return plural(Math.floor(minutes / 60), 'hour') + ' ago';
  return plural(Math.floor(minutes / (60 * 24)), 'day') + ' ago';
}

export function plural(n, word) {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** A duration in ms, coarse: "2 days 3 hours", "45 minutes", "under a minute". */
export function duration(ms) {
  const abs = Math.abs(ms);
  if (abs < MINUTE) return 'under a minute';
  const days = Math.floor(abs / DAY);
  const hours = Math.floor((abs % DAY) / HOUR);
  const minutes = Math.floor((abs % HOUR) / MINUTE);
  if (days) return hours ? `${plural(days, 'day')} ${plural(hours, 'hour')}` : plural(days, 'day');
  if (hours) return minutes ? `${plural(hours, 'hour')} ${plural(minutes, 'minute')}` : plural(hours, 'hour');
  return plural(minutes, 'minute');
}

const clockFormat = new Intl.DateTimeFormat(undefined, { weekday: 'short', hour: '2-digit', minute: '2-digit' });
const fullFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

export function clockTime(ms) {
  return clockFormat.format(new Date(ms));
}

export function fullTime(ms) {
  return fullFormat.format(new Date(ms));
}

export function bytes(n) {
  return `${n.toLocaleString('en')} bytes`;
}

/** "+0.42", "−0.17" (a real minus sign), "0.00" for anything that rounds to zero. */
export function signed(x, digits = 2) {
  if (Math.abs(x) < 0.5 * 10 ** -digits) return (0).toFixed(digits);
  return x > 0 ? `+${x.toFixed(digits)}` : `−${(-x).toFixed(digits)}`;
}

export { MINUTE, HOUR, DAY };
