<%@ include file="/WEB-INF/common.jspf" %><%@ include file="/WEB-INF/csrf.jspf" %><%
  // Spring Security's form login as its defaults have it: GET /login is the
  // login page with the `_csrf` field; POST /login checks the token and the
  // password, changes the session id (session fixation protection), makes
  // a new token and redirects to /; a wrong password redirects to
  // /login?error.
  if (csrfRefused(request)) { response.setStatus(403); out.print("Invalid CSRF token"); return; }
  if ("GET".equals(request.getMethod())) {
    response.setContentType("text/html; charset=UTF-8");
    final String token = csrfToken(request.getSession(true), false);
    out.print("<form class=\"form-signin\" method=\"post\" action=\"/login\">"
        + "<input type=\"text\" id=\"username\" name=\"username\" required autofocus>"
        + "<input type=\"password\" id=\"password\" name=\"password\" required>"
        + "<input name=\"_csrf\" type=\"hidden\" value=\"" + token + "\" />"
        + "<button type=\"submit\">Sign in</button></form>");
    return;
  }
  final String user = request.getParameter("username");
  final String password = System.getProperty("sessim.password", "wonderland");
  if (user == null || !password.equals(request.getParameter("password"))) {
    response.sendRedirect("/login?error");
    return;
  }
  request.changeSessionId();
  session.setMaxInactiveInterval(idleTimeout);
  session.setAttribute("user", user);
  csrfToken(session, true);
  response.sendRedirect("/");
%>
