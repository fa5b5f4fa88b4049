/*
 * The markdown editor's toolbar, shortcuts, image upload with alt text and
 * image chooser (core/widgets.py, core/templates/core/widgets/markdown_editor.html).
 *
 * A file, not inline script: the site's CSP allows neither. Progressive: the
 * toolbar and hint stay hidden until this runs, so without JavaScript the field
 * is a plain textarea. django-markdownx's own script keeps the live preview; it
 * redraws on the "input" event this script sends after each change.
 */
(function () {
  "use strict";

  function changed(textarea) {
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
    textarea.focus();
  }

  // Put `before` + selection (or `placeholder`) + `after` in place of the
  // selection, and select the text between the marks so typing replaces it.
  function wrap(textarea, before, after, placeholder) {
    var start = textarea.selectionStart;
    var end = textarea.selectionEnd;
    var inner = textarea.value.slice(start, end) || placeholder;
    textarea.setRangeText(before + inner + after, start, end, "end");
    textarea.setSelectionRange(start + before.length, start + before.length + inner.length);
    changed(textarea);
  }

  // Prefix every line the selection touches; `prefix(index)` gives the mark.
  function prefixLines(textarea, prefix) {
    var value = textarea.value;
    var start = value.lastIndexOf("\n", textarea.selectionStart - 1) + 1;
    var end = value.indexOf("\n", textarea.selectionEnd);
    if (end === -1) { end = value.length; }
    var lines = value.slice(start, end).split("\n");
    var text = lines.map(function (line, index) { return prefix(index) + line; }).join("\n");
    textarea.setRangeText(text, start, end, "select");
    changed(textarea);
  }

  function insert(textarea, text) {
    var start = textarea.selectionStart;
    var end = textarea.selectionEnd;
    var value = textarea.value;
    // An image stands in its own paragraph.
    var before = start > 0 && value.charAt(start - 1) !== "\n" ? "\n\n" : "";
    var after = end < value.length && value.charAt(end) !== "\n" ? "\n\n" : "";
    textarea.setRangeText(before + text + after, start, end, "end");
    changed(textarea);
  }

  var ACTIONS = {
    heading: function (t) { prefixLines(t, function () { return "## "; }); },
    bold: function (t) { wrap(t, "**", "**", "bold text"); },
    italic: function (t) { wrap(t, "_", "_", "italic text"); },
    link: function (t) {
      var start = t.selectionStart;
      var label = t.value.slice(start, t.selectionEnd) || "link text";
      var url = "https://";
      t.setRangeText("[" + label + "](" + url + ")", start, t.selectionEnd, "end");
      var urlStart = start + label.length + 3;
      t.setSelectionRange(urlStart, urlStart + url.length);
      changed(t);
    },
    bulleted: function (t) { prefixLines(t, function () { return "- "; }); },
    numbered: function (t) { prefixLines(t, function (i) { return (i + 1) + ". "; }); },
    quote: function (t) { prefixLines(t, function () { return "> "; }); }
  };
  var SHORTCUTS = { b: "bold", i: "italic", k: "link" };

  function csrfToken(textarea) {
    var field = textarea.form && textarea.form.querySelector("[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function setUp(editor) {
    var textarea = editor.querySelector("textarea");
    var imageForm = editor.querySelector(".md-image-form");
    var fileInput = imageForm.querySelector(".md-file");
    var fileName = imageForm.querySelector(".md-file-name");
    var altInput = imageForm.querySelector(".md-alt");
    var message = imageForm.querySelector(".md-message");
    var library = editor.querySelector(".md-library");
    var search = library.querySelector(".md-library-search");
    var list = library.querySelector(".md-library-list");
    var empty = library.querySelector(".md-library-empty");
    var chosenFile = null;
    var selection = [0, 0];

    editor.querySelector(".md-toolbar").hidden = false;
    editor.querySelector(".md-hint").hidden = false;

    function remember() { selection = [textarea.selectionStart, textarea.selectionEnd]; }
    function restore() { textarea.setSelectionRange(selection[0], selection[1]); }

    function say(text) {
      message.textContent = text;
      message.hidden = !text;
    }

    function openImageForm(file) {
      remember();
      library.hidden = true;
      chosenFile = file || null;
      fileInput.value = "";
      fileInput.hidden = Boolean(file);
      fileName.textContent = file ? "Image: " + file.name : "";
      altInput.value = "";
      say("");
      imageForm.hidden = false;
      (file ? altInput : fileInput).focus();
    }

    function closeDialogs() {
      imageForm.hidden = true;
      library.hidden = true;
      chosenFile = null;
      textarea.focus();
    }

    function upload() {
      var file = chosenFile || (fileInput.files && fileInput.files[0]);
      var alt = altInput.value.trim();
      if (!file) { say("Choose an image file first."); fileInput.focus(); return; }
      if (!alt) {
        say("Describe the image: the alt text is what people who cannot see it will read.");
        altInput.focus();
        return;
      }
      var data = new FormData();
      data.append("image", file);
      data.append("alt_text", alt);
      say("Uploading…");
      fetch(editor.dataset.uploadUrl, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(textarea), "X-Requested-With": "XMLHttpRequest" }
      }).then(function (response) {
        return response.json().catch(function () {
          return { error: "The upload failed (" + response.status + "). Try again." };
        });
      }).then(function (answer) {
        if (answer.error || !answer.image_code) {
          say(answer.error || "The upload failed. Try again.");
          return;
        }
        imageForm.hidden = true;
        restore();
        insert(textarea, answer.image_code);
      }).catch(function () {
        say("The upload failed: the server could not be reached. Try again.");
      });
    }

    function showImages(images) {
      list.textContent = "";
      empty.hidden = images.length > 0;
      images.forEach(function (image) {
        var item = document.createElement("li");
        var button = document.createElement("button");
        button.type = "button";
        button.className = "md-library-choice";
        var thumbnail = document.createElement("img");
        thumbnail.src = image.url;
        thumbnail.alt = "";
        thumbnail.width = 80;
        var label = document.createElement("span");
        label.textContent = image.alt_text;
        button.append(thumbnail, label);
        button.addEventListener("click", function () {
          library.hidden = true;
          restore();
          insert(textarea, image.markdown);
        });
        item.append(button);
        list.append(item);
      });
    }

    var searchRequest = 0;
    function loadLibrary() {
      var mine = ++searchRequest;
      var url = editor.dataset.libraryUrl + "?q=" + encodeURIComponent(search.value.trim());
      fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "XMLHttpRequest" } })
        .then(function (response) { return response.json(); })
        .then(function (answer) { if (mine === searchRequest) { showImages(answer.images || []); } })
        .catch(function () { showImages([]); });
    }

    editor.querySelector(".md-toolbar").addEventListener("click", function (event) {
      var button = event.target.closest("[data-md-action]");
      if (!button) { return; }
      var action = button.dataset.mdAction;
      if (action === "image") { openImageForm(null); return; }
      if (action === "library") {
        remember();
        imageForm.hidden = true;
        library.hidden = false;
        search.focus();
        loadLibrary();
        return;
      }
      ACTIONS[action](textarea);
    });

    textarea.addEventListener("keydown", function (event) {
      if (!(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey) { return; }
      var action = SHORTCUTS[event.key.toLowerCase()];
      if (action) {
        event.preventDefault();
        ACTIONS[action](textarea);
      }
    });

    // Dropped files go through the alt-text form, not straight to the server:
    // caught on the way down, before markdownx's own drop handler sees them.
    editor.addEventListener("drop", function (event) {
      if (event.target !== textarea || !event.dataTransfer || !event.dataTransfer.files.length) {
        return;
      }
      event.preventDefault();
      event.stopPropagation();
      openImageForm(event.dataTransfer.files[0]);
    }, true);

    imageForm.querySelector(".md-upload").addEventListener("click", upload);
    editor.querySelectorAll(".md-cancel").forEach(function (button) {
      button.addEventListener("click", closeDialogs);
    });
    // Enter in a dialog's field must not submit the whole admin form.
    altInput.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); upload(); }
      if (event.key === "Escape") { closeDialogs(); }
    });
    search.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); loadLibrary(); }
      if (event.key === "Escape") { closeDialogs(); }
    });
    search.addEventListener("input", loadLibrary);
  }

  function start() {
    document.querySelectorAll("[data-md-editor]").forEach(setUp);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
