// Customer statistics: draws the chart of the result partial with ECharts and re-draws it after each
// HTMX update. Clicking a bar, point or slice opens the customer list filtered to exactly its rows.
(function () {
  "use strict";
  var chart = null;

  function readData() {
    var el = document.getElementById("zg-stats-data");
    if (!el) { return null; }
    try { return JSON.parse(el.textContent); } catch (e) { return null; }
  }

  function option(data) {
    var narrow = window.innerWidth < 576;
    var tooltip = { trigger: data.type === "pie" ? "item" : "axis", confine: true };
    if (data.type === "pie") {
      var s = data.series[0];
      return {
        tooltip: tooltip,
        legend: { type: "scroll", bottom: 0 },
        series: [{
          type: "pie", radius: narrow ? ["25%", "55%"] : ["30%", "65%"], center: ["50%", "45%"],
          label: { show: !narrow, formatter: "{b}: {c} ({d}%)" },
          data: data.categories.map(function (name, i) { return { name: name, value: s.data[i], url: s.urls[i] }; })
        }]
      };
    }
    var many = data.categories.length > (narrow ? 6 : 15);
    return {
      tooltip: tooltip,
      legend: { show: data.series.length > 1, type: "scroll", top: 0 },
      grid: { left: 8, right: 16, top: data.series.length > 1 ? 36 : 16, bottom: many ? 56 : 8, containLabel: true },
      xAxis: {
        type: "category", data: data.categories,
        axisLabel: { interval: many ? "auto" : 0, rotate: many || narrow ? 30 : 0, hideOverlap: true }
      },
      yAxis: { type: "value" },
      dataZoom: many ? [{ type: "slider", height: 18, bottom: 4 }, { type: "inside" }] : [],
      series: data.series.map(function (s) {
        return {
          name: s.name, type: data.type === "line" ? "line" : "bar",
          stack: data.type === "stack" ? "total" : undefined,
          emphasis: { focus: "series" }, data: s.data,
          urls: s.urls
        };
      })
    };
  }

  function draw() {
    var box = document.getElementById("zg-stats-chart");
    var data = readData();
    if (chart) { chart.dispose(); chart = null; }
    if (!box || !data || data.empty || !window.echarts) { return; }
    chart = window.echarts.init(box, null, { renderer: "canvas" });
    chart.setOption(option(data));
    chart.on("click", function (params) {
      var url = null;
      if (data.type === "pie") {
        url = params.data && params.data.url;
      } else {
        var s = data.series[params.seriesIndex];
        url = s && s.urls[params.dataIndex];
      }
      if (url) { window.location.href = url; }
    });
  }

  var pending = null;
  window.addEventListener("resize", function () {
    clearTimeout(pending);
    pending = setTimeout(function () { if (chart) { chart.resize(); } }, 120);
  });
  // The result partial replaces itself (outerHTML), so the chart is drawn again after every swap.
  document.body.addEventListener("htmx:afterSettle", draw);
  // Empty choices ("all") are left out of the request, so the pushed URL stays short and shareable.
  document.body.addEventListener("htmx:configRequest", function (e) {
    if (!e.detail.elt || e.detail.elt.id !== "zg-stats-form") { return; }
    var params = e.detail.parameters;
    Object.keys(params).forEach(function (key) { if (params[key] === "") { delete params[key]; } });
  });
  // A chart type that needs one dimension: choosing "pie" clears the second dimension first.
  var form = document.getElementById("zg-stats-form");
  if (form) {
    form.addEventListener("change", function (e) {
      if (e.target.name === "chart" && e.target.value === "pie" && form.elements.series) { form.elements.series.value = ""; }
      if (e.target.name === "series" && e.target.value && form.elements.chart && form.elements.chart.value === "pie") { form.elements.chart.value = "bar"; }
    }, true);
  }
  draw();
})();
