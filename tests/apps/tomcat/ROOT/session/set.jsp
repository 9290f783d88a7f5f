<%@ include file="/WEB-INF/common.jspf" %><%
  final String key = request.getParameter("name");
  final String value = request.getParameter("value");
  if (key == null || value == null) { response.setStatus(400); out.print("missing name or value"); return; }
  session.setMaxInactiveInterval(idleTimeout);
  session.setAttribute(key, value);
  out.print(value);
%>
