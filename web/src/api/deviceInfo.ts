/** How this device describes itself to the user's other devices and to the server. */

/** "Chrome on Android" and the like. */
export function deviceName(ua = navigator.userAgent): string {
  const browser = /Edg\//.test(ua) ? "Edge" : /Firefox\//.test(ua) ? "Firefox" : /Chrome\//.test(ua) ? "Chrome" : /Safari\//.test(ua) ? "Safari" : "Browser";
  const os = /Android/.test(ua) ? "Android" : /iPhone|iPad/.test(ua) ? "iOS" : /Mac OS/.test(ua) ? "macOS" : /Windows/.test(ua) ? "Windows" : /Linux/.test(ua) ? "Linux" : "";
  return os ? `${browser} on ${os}` : browser;
}

/** "android", "ios" or "web", as the `devices.platform` column holds it. */
export function devicePlatform(ua = navigator.userAgent): string {
  return /Android/.test(ua) ? "android" : /iPhone|iPad/.test(ua) ? "ios" : "web";
}
