// The password link carries its token in the fragment (#token=...), which browsers never
// send to a server. Copy it into the form, then drop it from the address bar and history.
(function () {
  "use strict";
  const field = document.getElementById("token");
  const match = /(?:^|[#&])token=([A-Za-z0-9_-]+)/.exec(window.location.hash);
  if (field && match) {
    field.value = match[1];
    history.replaceState(null, "", window.location.pathname);
  }
})();
