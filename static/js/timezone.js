// Tell the server the browser's time zone (read by messenger.middleware.BrowserTimezoneMiddleware)
// so times rendered on the server match those rendered by scripts.
const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
if (zone && !document.cookie.split("; ").includes(`tz=${encodeURIComponent(zone)}`)) {
  document.cookie = `tz=${encodeURIComponent(zone)}; path=/; max-age=31536000; samesite=lax`;
}
