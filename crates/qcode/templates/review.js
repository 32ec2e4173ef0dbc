// Filters the excerpts by code, document, speaker and attribute, with no
// server and no library; the choice is kept in the address (#code=debt),
// so that a filtered view can be shared and reopened.
(function () {
  "use strict";
  var form = document.getElementById("filters");
  if (!form) { return; }
  var sections = Array.prototype.slice.call(document.querySelectorAll("section.excerpts"));
  var shown = document.getElementById("shown");
  var names = ["code", "document", "speaker", "attribute"];

  function chosen() {
    var c = {};
    names.forEach(function (n) { c[n] = form.elements[n].value; });
    return c;
  }

  function apply(remember) {
    var c = chosen();
    var visible = 0, total = 0;
    sections.forEach(function (section) {
      var codeOk = !c.code || section.getAttribute("data-code") === c.code;
      var any = false;
      section.querySelectorAll("blockquote.excerpt").forEach(function (q) {
        total += 1;
        var ok = codeOk &&
          (!c.document || q.getAttribute("data-document") === c.document) &&
          (!c.speaker || q.getAttribute("data-speaker") === c.speaker) &&
          (!c.attribute || q.getAttribute("data-attributes").split("|").indexOf(c.attribute) >= 0);
        q.hidden = !ok;
        if (ok) { visible += 1; any = true; }
      });
      section.hidden = !any;
    });
    shown.textContent = visible + " of " + total + " excerpts shown";
    var hash = names.filter(function (n) { return c[n]; })
      .map(function (n) { return n + "=" + encodeURIComponent(c[n]); }).join("&");
    if (remember === true && window.history && window.history.replaceState) {
      window.history.replaceState(null, "", hash ? "#" + hash : window.location.pathname);
    }
  }

  function fromAddress() {
    var hash = window.location.hash.replace(/^#/, "");
    if (!hash) { return; }
    hash.split("&").forEach(function (part) {
      var at = part.indexOf("=");
      if (at < 0) { return; }
      var name = part.slice(0, at), value = decodeURIComponent(part.slice(at + 1));
      if (names.indexOf(name) >= 0) { form.elements[name].value = value; }
    });
  }

  form.addEventListener("change", function () { apply(true); });
  fromAddress();
  apply(false);
})();
