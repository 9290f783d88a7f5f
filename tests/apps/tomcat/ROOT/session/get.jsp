<%@ page session="false" %><%@ include file="/WEB-INF/common.jspf" %><%
  // A read makes no session: getSession(false), as a read-only page should.
  final jakarta.servlet.http.HttpSession current = request.getSession(false);
  final Object value = current == null ? null : current.getAttribute(request.getParameter("name"));
  if (value == null) { response.setStatus(404); out.print("not set"); return; }
  out.print(value);
%>
