/* A catalogue upload that says how far it got: the bytes sent, then the rows read (polled). */
(function () {
  "use strict";
  var form = document.querySelector("form[data-progress]");
  var words = document.getElementById("upload-words");
  if (!form || !words || !window.XMLHttpRequest || !window.FormData) { return; }
  var box = form.querySelector(".upload-progress");
  var state = document.getElementById("upload-state");
  var bar = document.getElementById("upload-bar");
  var number = function (n) { return Number(n).toLocaleString(document.documentElement.lang); };
  var say = function (key, values) {
    var text = words.getAttribute("data-" + key);
    Object.keys(values || {}).forEach(function (k) { text = text.replace("{" + k + "}", values[k]); });
    state.textContent = text;
  };
  var poll = function () {
    var ask = new XMLHttpRequest();
    ask.open("GET", form.getAttribute("data-progress"));
    ask.onload = function () {
      if (ask.status !== 200) { return; }  /* not started yet */
      var run = JSON.parse(ask.responseText);
      if (run.total) {
        bar.max = run.total; bar.value = Math.min(run.read, run.total);
        say("reading", {r: number(run.read), t: number(run.total)});
      } else {
        bar.removeAttribute("value");
        say("reading-open", {r: number(run.read)});
      }
    };
    ask.send();
  };
  form.addEventListener("submit", function (event) {
    var file = form.querySelector("input[type=file]");
    if (!file || !file.files.length) { return; }  /* nothing slow to tell about */
    event.preventDefault();
    var button = form.querySelector("button[type=submit]");
    var timer = 0;
    var sent = new XMLHttpRequest();
    button.disabled = true;
    box.hidden = false;
    sent.open("POST", form.action);
    sent.upload.onprogress = function (e) {
      if (!e.lengthComputable) { return; }
      bar.max = 100; bar.value = Math.round(100 * e.loaded / e.total);
      say("sending", {p: bar.value});
    };
    sent.upload.onload = function () {
      bar.removeAttribute("value");
      say("waiting");
      timer = setInterval(poll, 700);
    };
    sent.onload = function () {
      clearInterval(timer);
      if (sent.responseURL && sent.responseURL !== form.action) {
        location.assign(sent.responseURL);  /* redirected to the report */
        return;
      }
      document.open(); document.write(sent.responseText); document.close();
    };
    sent.onerror = function () { clearInterval(timer); button.disabled = false; say("failed"); };
    sent.send(new FormData(form));
  });
}());
