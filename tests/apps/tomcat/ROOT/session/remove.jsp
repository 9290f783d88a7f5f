<%@ page session="false" %><%@ include file="/WEB-INF/common.jspf" %><%
  final jakarta.servlet.http.HttpSession current = request.getSession(false);
  if (current != null) current.removeAttribute(request.getParameter("name"));
  out.print("removed");
%>
