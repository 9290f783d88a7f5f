<%@ include file="/WEB-INF/common.jspf" %><%
  // Who is logged in: 401 without a user in the session.
  final Object user = session.getAttribute("user");
  if (user == null) { response.setStatus(401); out.print("not logged in"); return; }
  out.print(user);
%>
