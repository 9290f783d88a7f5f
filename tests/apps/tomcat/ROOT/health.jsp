<%@ page session="false" %><%@ include file="/WEB-INF/common.jspf" %>ok
