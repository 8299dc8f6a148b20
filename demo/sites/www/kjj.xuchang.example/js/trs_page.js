function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt) {
  if (_nPageCount == null || _nPageCount <= 1) { return; } var html = "<span>共" + _nPageCount + "页</span> ";
  for (var i = 0; i < _nPageCount; i++) { var name = i == 0 ? _sPageName + "." + _sPageExt : _sPageName + "_" + i + "." + _sPageExt;
    html += i == _nCurrIndex ? "<span>" + (i + 1) + "</span> " : "<a href=\"" + name + "\">" + (i + 1) + "</a> "; }
  document.write(html); }
