fetch("/api/news/list?page=1").then(function (r) { return r.json(); }).then(function (res) {
  document.getElementById("news-list").innerHTML = res.data.records.map(function (n) { return '<li><a href="' + n.url + '">' + n.title + '</a><span>' + n.publishTime.slice(0, 10) + '</span></li>'; }).join(""); });
