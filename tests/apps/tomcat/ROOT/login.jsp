<%@ include file="/WEB-INF/common.jspf" %><%
  final String user = request.getParameter("user");
  if (user == null) { response.setStatus(400); out.print("missing user"); return; }
  // Servlet 3.1's defence against session fixation: same session, new id.
  request.changeSessionId();
  session.setMaxInactiveInterval(idleTimeout);
  session.setAttribute("user", user);
  out.print(user);
%>
