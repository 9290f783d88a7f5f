#pragma once

namespace sessim {

// Seconds a session may stay idle unless told otherwise: Spring Session's
// default, which sessim's nodes share.
inline constexpr int kDefaultSessionTimeoutS = 1800;

}  // namespace sessim
