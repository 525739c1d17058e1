// The phone's location for a case, with its accuracy (integrity.md).
//
// - A fix whose accuracy is 0 m is marked as suspicious to the officer: no real satellite fix
//   is that exact, mock-location apps often report 0. It is still sent as it is (the server
//   flags it in the integrity report); the terminal does not hide or round it away.
// - location_mock (a fix from a mock provider) cannot be known by a browser: Android tells
//   only native apps (Location.isMock). The terminal leaves it unset, i.e. false, which the
//   API documents as "filled by a collection terminal or native app".
// - The browser's fix is WGS-84 (crs "wgs84", the API's default).

export function suspicious(accuracy) {
  return accuracy === 0;
}

function round(value, digits) {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** {latitude, longitude, location_accuracy} as the API takes them (6 and 2 decimals). */
export function locate({ timeout = 20000 } = {}) {
  return new Promise((resolve, reject) => {
    if (!("geolocation" in navigator)) {
      reject(new Error("geolocation unavailable"));
      return;
    }
    navigator.geolocation.getCurrentPosition(
      (position) => {
        const { latitude, longitude, accuracy } = position.coords;
        resolve({
          latitude: round(latitude, 6),
          longitude: round(longitude, 6),
          location_accuracy: round(Math.min(accuracy, 9999999), 2),
        });
      },
      (error) => reject(error),
      { enableHighAccuracy: true, timeout, maximumAge: 0 },
    );
  });
}
