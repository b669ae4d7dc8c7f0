/* Progressive enhancement only: search suggestions and a copy button for citations. */
(function () {
  "use strict";
  var input = document.getElementById("q");
  var list = document.getElementById("q-suggest");
  if (input && list && window.fetch) {
    var timer = 0, active = -1, asked = "";
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("aria-expanded", "false");
    var close = function () {
      list.hidden = true; list.innerHTML = ""; active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    };
    var pick = function (text) { input.value = text; close(); input.form.submit(); };
    var show = function (items) {
      list.innerHTML = "";
      items.forEach(function (text, i) {
        var li = document.createElement("li");
        li.id = "q-option-" + i; li.setAttribute("role", "option");
        li.textContent = text;
        li.addEventListener("mousedown", function (e) { e.preventDefault(); pick(text); });
        list.appendChild(li);
      });
      list.hidden = items.length === 0;
      input.setAttribute("aria-expanded", items.length ? "true" : "false");
    };
    var mark = function (step) {
      var options = list.children;
      if (!options.length) { return; }
      if (active >= 0) { options[active].setAttribute("aria-selected", "false"); }
      active = (active + step + options.length) % options.length;
      options[active].setAttribute("aria-selected", "true");
      input.setAttribute("aria-activedescendant", options[active].id);
    };
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var typed = input.value.trim();
      if (typed.length < 2) { close(); return; }
      timer = setTimeout(function () {
        asked = typed;
        fetch(input.getAttribute("data-suggest") + "?q=" + encodeURIComponent(typed))
          .then(function (r) { return r.ok ? r.json() : [typed, []]; })
          .then(function (data) { if (asked === typed) { show(data[1] || []); } })
          .catch(close);
      }, 200);
    });
    input.addEventListener("keydown", function (e) {
      if (list.hidden) { return; }
      if (e.key === "ArrowDown") { e.preventDefault(); mark(1); }
      else if (e.key === "ArrowUp") { e.preventDefault(); mark(-1); }
      else if (e.key === "Escape") { e.preventDefault(); close(); }
      else if (e.key === "Enter" && active >= 0) { e.preventDefault(); pick(list.children[active].textContent); }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
  }
  var cite = document.getElementById("citation");
  if (cite && navigator.clipboard) {
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = cite.getAttribute("data-label");
    button.className = "copy";
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(cite.getAttribute("data-copy")).then(function () {
        button.textContent = cite.getAttribute("data-copied");
      });
    });
    cite.parentNode.appendChild(button);
  }
  // Registration: picking a catalogue file means "we upload"; typing an address means OAI.
  var upload = document.getElementById("upload");
  var address = document.getElementById("base_url");
  function choose(value) {
    var radio = document.querySelector('input[name="catalogue"][value="' + value + '"]');
    if (radio) { radio.checked = true; }
  }
  if (upload) {
    upload.addEventListener("change", function () { if (upload.files.length) { choose("upload"); } });
  }
  if (address) {
    address.addEventListener("input", function () { if (address.value.trim()) { choose("oai"); } });
  }
})();
