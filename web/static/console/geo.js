/* Plot location from the phone (docs/console/RECORDING.md). Without this script the form still
   works: latitude and longitude are typed by hand, or a GeoJSON file is uploaded. */
(function () {
  "use strict";
  var form = document.getElementById("plot-form");
  if (!form || !navigator.geolocation) return;
  var q = function (name) { return form.querySelector('[data-geo="' + name + '"]'); };
  var status = q("status"), list = q("corners"), areaOut = q("area");
  var boundary = document.getElementById("boundary");
  var corners = [];
  var filled = null; // the area this script last filled in
  var six = function (x) { return Math.round(x * 1e6) / 1e6; };
  Array.prototype.forEach.call(form.querySelectorAll(".geo-js"), function (el) { el.hidden = false; });

  function here(done) {
    status.textContent = form.dataset.waiting || "…";
    navigator.geolocation.getCurrentPosition(function (pos) {
      var c = pos.coords;
      status.textContent = "± " + Math.round(c.accuracy) + " m";
      done(six(c.latitude), six(c.longitude));
    }, function (err) {
      status.textContent = err.message || String(err.code);
    }, { enableHighAccuracy: true, timeout: 30000, maximumAge: 0 });
  }

  // Area of a small polygon on the sphere (ha), as the server checks it within 10 %.
  function hectares(ring) {
    var R = 6378137, sum = 0, rad = Math.PI / 180;
    for (var i = 0; i < ring.length - 1; i++) {
      var a = ring[i], b = ring[i + 1];
      sum += (b[0] - a[0]) * rad * (2 + Math.sin(a[1] * rad) + Math.sin(b[1] * rad));
    }
    return Math.abs(sum * R * R / 2) / 10000;
  }

  function show() {
    list.textContent = "";
    corners.forEach(function (c) {
      var li = document.createElement("li");
      li.textContent = c[1] + ", " + c[0];
      list.appendChild(li);
    });
    if (corners.length >= 3) {
      var ring = corners.concat([corners[0]]);
      boundary.value = JSON.stringify({ type: "Polygon", coordinates: [ring] });
      var ha = hectares(ring);
      areaOut.textContent = "≈ " + ha.toFixed(2) + " ha";
      // Fill the area while the member has not typed one (each new corner updates it).
      var area = form.elements.area_ha;
      if (area && (!area.value || area.value === filled)) area.value = filled = ha.toFixed(2);
    } else {
      boundary.value = "";
      areaOut.textContent = "";
      var typed = form.elements.area_ha;
      if (typed && filled !== null && typed.value === filled) typed.value = filled = "";
    }
  }

  q("locate").addEventListener("click", function () {
    here(function (lat, lon) {
      form.elements.lat.value = lat;
      form.elements.lon.value = lon;
    });
  });
  q("corner").addEventListener("click", function () {
    here(function (lat, lon) { corners.push([lon, lat]); show(); });
  });
  q("undo").addEventListener("click", function () { corners.pop(); show(); });
})();
