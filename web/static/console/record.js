/* The recording forms (docs/console/RECORDING.md): the event's time in the browser's own time
   zone. The server's default is now in Asia/Ho_Chi_Minh (+07:00); a phone elsewhere says so. */
(function () {
  "use strict";
  var pad = function (n) { return (n < 10 ? "0" : "") + n; };
  Array.prototype.forEach.call(document.querySelectorAll('form[data-offline="record"]'), function (form) {
    var tz = form.querySelector('[data-record="tz"]');
    var when = form.elements.event_time;
    if (!tz || !when) return;
    var now = new Date(), off = -now.getTimezoneOffset();
    var zone = (off < 0 ? "-" : "+") + pad(Math.floor(Math.abs(off) / 60)) + ":" + pad(Math.abs(off) % 60);
    if (zone === tz.value || when.dataset.touched) return;
    tz.value = zone;
    if (!form.querySelector(".invalid")) {
      when.value = now.getFullYear() + "-" + pad(now.getMonth() + 1) + "-" + pad(now.getDate()) +
        "T" + pad(now.getHours()) + ":" + pad(now.getMinutes());
    }
  });
})();
