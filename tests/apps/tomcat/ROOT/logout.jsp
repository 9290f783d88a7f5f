<%@ page session="false" %><%@ include file="/WEB-INF/common.jspf" %><%
  // invalidate(): the session ends; Tomcat leaves the JSESSIONID cookie.
  final jakarta.servlet.http.HttpSession current = request.getSession(false);
  if (current != null) current.invalidate();
  out.print("logged out");
%>
