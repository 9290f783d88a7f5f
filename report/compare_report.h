#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "play/compare.h"
#include "report/terminal_report.h"

namespace sessim {

struct CompareSummary {
  // The matrix's rows: every store x balancer x front, in that order.
  struct Row {
    StoreKind store;
    StrategyKind balancer;
    FrontKind front;
  };
  std::vector<Row> rows() const;
  // "round-robin", or "round-robin in nginx" when fronts are compared.
  std::string row_label(const Row& row) const;
  const CompareCell* find_cell(const Row& row, CompareFault fault) const;

  std::string scenario;
  std::string lesson;
  int nodes = 0;
  std::string mode;
  std::string on_miss;
  std::vector<StoreKind> stores;
  std::vector<StrategyKind> balancers;
  std::vector<FrontKind> fronts{FrontKind::builtin};  // a row per balancer and front
  std::vector<CompareFault> faults;
  std::vector<CompareCell> cells;  // in store, balancer, fault order
  std::uint64_t seed = 0;
  bool seeded_session_ids = false;  // a rerun with the seed repeats every cell
  bool sessim_nodes = true;         // the nodes are sessim's, whose ids a seed can fix
};

// Rows store x balancer, columns fault; each cell "ok/total verdict".
std::string render_compare_matrix(const CompareSummary& summary, const TerminalStyle& style);
// {"scenario": ..., "cells": [{store, balancer, fault, reads_ok, reads_total,
//  read_success_rate, verdict, why}]}
std::string render_compare_json(const CompareSummary& summary);
std::string render_compare_markdown(const CompareSummary& summary);

}  // namespace sessim
