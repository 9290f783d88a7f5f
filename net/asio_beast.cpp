// The compiled parts of Boost.Asio and Boost.Beast, once for the whole
// program: every unit that uses them is built with
// BOOST_ASIO_SEPARATE_COMPILATION and BOOST_BEAST_SEPARATE_COMPILATION
// (CMakeLists.txt), so it compiles their templates only, not their
// implementation again (about a quarter of such a unit's time).

// clang-format off
#include <utility>  // Boost 1.74's Asio uses std::exchange without including it
// clang-format on

#include <boost/asio/impl/src.hpp>
#include <boost/beast/src.hpp>
