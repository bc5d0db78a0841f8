// Selects marked data-autocomplete load their options from the server as the user types
// (core/autocomplete.py); the page holds only the chosen option, however large the table is.
(function () {
  var lang = document.documentElement.lang || "";
  var zh = lang.indexOf("zh") === 0;
  var texts = zh
    ? { none: "没有匹配的记录", typing: "输入名称、拼音首字母或电话搜索" }
    : { none: "No matching records", typing: "Type a name, pinyin initials or phone to search" };

  function init(root) {
    if (!window.TomSelect) { return; }
    (root || document).querySelectorAll("select[data-autocomplete]").forEach(function (el) {
      if (el.tomselect) { return; }
      var url = el.getAttribute("data-autocomplete");
      new TomSelect(el, {
        valueField: "value", labelField: "text", searchField: [],
        maxOptions: 20, preload: "focus", loadThrottle: 250,
        plugins: el.multiple ? ["remove_button"] : (el.required ? [] : ["clear_button"]),
        load: function (query, callback) {
          var self = this;
          fetch(url + "?q=" + encodeURIComponent(query), { credentials: "same-origin", headers: { "Accept": "application/json" } })
            .then(function (r) { return r.ok ? r.json() : { results: [] }; })
            .then(function (data) {
              // Only this query's matches are offered (the chosen ones stay); ask again next time.
              self.clearOptions();
              self.loadedSearches = {};
              callback(data.results);
            })
            .catch(function () { callback(); });
        },
        // The server already matched pinyin and phone digits; show what it returned as is.
        score: function () { return function () { return 1; }; },
        render: {
          no_results: function () { return '<div class="no-results">' + texts.none + "</div>"; },
          loading: function () { return '<div class="spinner-border spinner-border-sm m-2"></div>'; }
        },
        placeholder: texts.typing
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:afterSwap", function (e) { init(e.target); });
})();
