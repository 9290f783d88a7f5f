#pragma once

#include <string>

#include "play/audit.h"
#include "report/style.h"

// `sessim audit`'s findings for people (terminal, HTML) and for CI (JSON,
// JUnit: one test case per finding, failed at or above `fail_at`).
namespace sessim {

std::string render_audit_terminal(const AuditReport& report, const TerminalStyle& style);
std::string render_audit_json(const AuditReport& report, Severity fail_at);
std::string render_audit_junit(const AuditReport& report, Severity fail_at);
std::string render_audit_html(const AuditReport& report);

// Whether any finding is at least as severe as `fail_at`.
bool audit_fails(const AuditReport& report, Severity fail_at);

}  // namespace sessim
