#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/basic_stream.hpp>

namespace sessim {

// TCP on one event loop, bound to its io_context by type rather than through
// Asio's type-erased any_io_executor, which copies and destroys a
// polymorphic executor around every handler (a few percent of the
// balancer's profile). Every socket of the servers and the proxy is one.
using LoopSocket =
    boost::asio::basic_stream_socket<boost::asio::ip::tcp, boost::asio::io_context::executor_type>;
using LoopStream =
    boost::beast::basic_stream<boost::asio::ip::tcp, boost::asio::io_context::executor_type>;

}  // namespace sessim
