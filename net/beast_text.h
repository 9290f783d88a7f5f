#pragma once

#include <boost/beast/core/string.hpp>
#include <string_view>

namespace sessim {

// Beast's string_view (Boost's, in 1.74) as the standard one.
inline std::string_view view(boost::beast::string_view text) { return {text.data(), text.size()}; }

}  // namespace sessim
