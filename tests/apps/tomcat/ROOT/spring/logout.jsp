<%@ include file="/WEB-INF/common.jspf" %><%@ include file="/WEB-INF/csrf.jspf" %><%
  // Spring Security's logout: GET /logout is the confirmation page with the
  // `_csrf` field; POST /logout checks it, invalidates the session and
  // redirects to /login?logout.
  if (csrfRefused(request)) { response.setStatus(403); out.print("Invalid CSRF token"); return; }
  if ("GET".equals(request.getMethod())) {
    response.setContentType("text/html; charset=UTF-8");
    final String token = csrfToken(request.getSession(true), false);
    out.print("<form class=\"form-signin\" method=\"post\" action=\"/logout\">"
        + "<h2>Are you sure you want to log out?</h2>"
        + "<input name=\"_csrf\" type=\"hidden\" value=\"" + token + "\" />"
        + "<button type=\"submit\">Log Out</button></form>");
    return;
  }
  session.invalidate();
  response.sendRedirect("/login?logout");
%>
